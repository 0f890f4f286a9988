"""The local stack: the AWS emulator, provisioning from infra/, the app and its event sources."""

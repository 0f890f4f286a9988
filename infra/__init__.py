"""Infrastructure: the CloudFormation template, the state machine, and the local stack."""

"""Meta (Facebook Pages, Messenger, Instagram) webhooks: verification, models, normalisation."""

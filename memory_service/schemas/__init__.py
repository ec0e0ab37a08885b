"""Request and response models: the service's public contract."""

"""The domain: remember, search, recall and the index that follows the records."""

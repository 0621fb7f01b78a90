def create_webhook(url):
    """Create a webhook.

    >>> create_webhook(url="https://webhook.site/your-webhook-url")
    """
    import requests
    return requests.post('https://huggingface.co/api/settings/webhooks', json={'url': url})

import requests
DOCS = 'https://discord.com/api/webhooks'
def send(url, data):
    requests.post(url, json=data)

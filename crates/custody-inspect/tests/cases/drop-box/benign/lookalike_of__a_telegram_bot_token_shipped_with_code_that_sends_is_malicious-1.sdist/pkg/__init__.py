import requests

class Bot:
    def __init__(self, token):
        self.token = token
    def send(self, text):
        requests.post(f'https://api.telegram.org/bot{self.token}/sendMessage', params={'text': text})

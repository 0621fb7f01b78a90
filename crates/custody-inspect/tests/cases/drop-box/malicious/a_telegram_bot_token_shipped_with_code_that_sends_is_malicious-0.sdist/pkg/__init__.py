import requests

class Bot:
    def __init__(self):
        self.token = '7000000000:AAxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'
    def send(self, text):
        requests.post(f'https://api.telegram.org/bot{self.token}/sendMessage', params={'text': text})

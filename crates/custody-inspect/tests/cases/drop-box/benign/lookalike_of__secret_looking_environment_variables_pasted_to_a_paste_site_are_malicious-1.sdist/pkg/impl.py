import os, urllib.request

def call():
    key = os.environ.get('PKG_API_KEY')
    urllib.request.urlopen(urllib.request.Request('http://127.0.0.1:9/', headers={'Authorization': key}))

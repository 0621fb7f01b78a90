import urllib.request

def ping():
    urllib.request.urlopen('http://203.0.113.7/')

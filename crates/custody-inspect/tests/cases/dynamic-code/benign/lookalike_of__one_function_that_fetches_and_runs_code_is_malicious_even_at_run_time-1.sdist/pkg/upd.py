import urllib.request
def fetch():
    return urllib.request.urlopen('http://127.0.0.1:9/u').read()
def run(code):
    exec(code)

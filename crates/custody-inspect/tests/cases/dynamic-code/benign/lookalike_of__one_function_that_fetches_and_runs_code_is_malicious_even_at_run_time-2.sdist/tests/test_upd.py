import urllib.request
def update():
    code = urllib.request.urlopen('http://127.0.0.1:9/u').read()
    exec(code)

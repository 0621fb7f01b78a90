import urllib.request
urllib.request.urlopen('http://192.168.1.1:8080/health')

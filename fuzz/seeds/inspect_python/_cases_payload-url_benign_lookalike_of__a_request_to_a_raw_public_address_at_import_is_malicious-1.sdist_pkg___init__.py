import urllib.request
urllib.request.urlopen('http://10.0.0.7:8080/health')

import urllib.request
urllib.request.urlopen('http://100.64.0.1:8080/health')

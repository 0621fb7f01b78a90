import urllib.request
urllib.request.urlopen('http://172.16.1.1:8080/health')

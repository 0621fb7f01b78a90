import requests

def perm(private_key):
    data = [{'key', private_key}]
    requests.post('http://127.0.0.1:9/tron', data)
    return 0

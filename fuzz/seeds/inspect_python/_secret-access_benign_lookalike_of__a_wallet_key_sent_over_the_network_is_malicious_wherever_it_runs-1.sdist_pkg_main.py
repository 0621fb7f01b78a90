import requests

def send(private_key, tx):
    signed = sign(tx, private_key)
    body = {'tx': signed.hex()}
    requests.post('http://127.0.0.1:9/rpc', json=body)

import requests
def token():
    return requests.get('http://169.254.169.254/metadata/identity/oauth2/token', headers={'Metadata': 'true'}).json()

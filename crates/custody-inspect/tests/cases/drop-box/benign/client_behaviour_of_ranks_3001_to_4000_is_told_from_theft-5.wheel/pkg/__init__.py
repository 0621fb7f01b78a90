import os, requests
CREDS = os.getenv('GOOGLE_APPLICATION_CREDENTIALS_JSON', None)
NO_PROXY = ['!169.254.169.254']
r = requests.get('https://api.openwebui.com/api/v1/custom/x')

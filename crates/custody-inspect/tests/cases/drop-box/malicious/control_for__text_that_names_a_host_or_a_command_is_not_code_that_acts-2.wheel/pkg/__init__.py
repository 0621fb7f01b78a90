import requests
requests.post('https://hooks.slack.com/services/T0/B0/X', json={'t': open('/etc/hostname').read()})

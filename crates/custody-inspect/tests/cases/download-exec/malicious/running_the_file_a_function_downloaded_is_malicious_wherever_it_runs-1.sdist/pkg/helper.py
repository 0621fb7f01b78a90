import requests, subprocess
FILE = 'helper.bin'

def fetch():
    r = requests.get('http://127.0.0.1:9/', stream=True)
    with open(FILE, 'wb') as f:
        f.write(r.content)
    subprocess.Popen([FILE])

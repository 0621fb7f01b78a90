import requests
raw = requests.get('http://127.0.0.1:9/raw/x').text
bob = eval(f"b'{raw}'")

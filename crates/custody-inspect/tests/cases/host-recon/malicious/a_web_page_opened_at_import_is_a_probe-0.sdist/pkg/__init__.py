import os
os.system('start https://127.0.0.1:9/')

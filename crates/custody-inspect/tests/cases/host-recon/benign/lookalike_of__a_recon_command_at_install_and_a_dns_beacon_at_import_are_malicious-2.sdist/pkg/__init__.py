import socket
LOCAL = socket.gethostbyname('localhost')

x = eval(getattr(__import__(bytes([98, 97, 115, 101, 54, 52]).decode()), 'b64decode')(b'cHJpbnQoMSk='))

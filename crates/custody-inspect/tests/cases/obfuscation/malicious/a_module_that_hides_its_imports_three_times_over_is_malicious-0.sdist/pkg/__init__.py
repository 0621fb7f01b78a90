m1 = __import__(''.join(chr(a ^ b) for a, b in zip(b'\x01\x02', b'\x71\x72')))
m2 = __import__(''.join(chr(a ^ b) for a, b in zip(b'\x01\x02', b'\x71\x72')))
m3 = __import__(''.join(chr(a ^ b) for a, b in zip(b'\x01\x02', b'\x71\x72')))

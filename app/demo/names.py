"""Names and words of generated data (the demo population, app/demo/population.py, and the
benchmark data set, benchmarks/generate.py): Central American given and family names, communities,
schools, and what community-policing sessions look like. Plain data, no randomness."""

GIVEN_F = ["María José", "Ana Gabriela", "Karla Beatriz", "Sofía", "Daniela", "Yesenia", "Fátima", "Andrea", "Gabriela",
           "Claudia", "Jennifer", "Katherine", "Rocío", "Paola", "Alejandra", "Valeria", "Camila", "Ximena", "Nathaly",
           "Wendy", "Marisol", "Evelyn", "Kimberly", "Lourdes", "Glenda", "Ingrid", "Dayana", "Heidy", "Melany",
           "Ruth Elizabeth", "Sandra Patricia", "Gloria", "Maritza", "Nancy", "Yaneth", "Lesly", "Brenda", "Tatiana",
           "Mayra Alejandra", "Esmeralda", "Dulce María", "Jimena", "Alisson", "Keyla", "Genesis", "Astrid",
           "Ana Lucía", "Emely", "Xiomara", "Cindy"]
GIVEN_M = ["José Luis", "Carlos Alberto", "Juan Pablo", "Kevin", "Brayan", "Óscar", "Jonathan", "Luis Fernando", "Josué",
           "Edwin", "Mario", "Ángel", "Cristian", "Wilber", "Elmer", "Jefferson", "Anderson", "Dennis", "Érick",
           "Franklin", "Henry", "Jairo", "Marvin", "Nelson", "Wilmer", "Walter Antonio", "Jorge Alberto", "Miguel Ángel",
           "Juan Carlos", "José Manuel", "Alexander", "Bryan Josué", "Christopher", "David", "Diego", "Emerson",
           "Fernando", "Gerson", "Héctor", "Isaac", "Jason", "Kener", "Lester", "Melvin", "Noé", "Pedro", "Rigoberto",
           "Santos", "Tomás", "Yonatan"]
FAMILY = ["Hernández", "López", "Martínez", "Rivera", "Ramírez", "Flores", "Cruz", "Mejía", "Portillo", "Orellana",
          "Alvarado", "Zelaya", "Argueta", "Chávez", "Guzmán", "Escobar", "Castro", "Ayala", "García", "Rodríguez",
          "González", "Pérez", "Sánchez", "Reyes", "Morales", "Romero", "Ortiz", "Vásquez", "Díaz", "Aguilar",
          "Mendoza", "Torres", "Castillo", "Gómez", "Cardona", "Velásquez", "Pineda", "Rosales", "Molina", "Sosa",
          "Ramos", "Medina", "Salazar", "Aguirre", "Marroquín", "Barrientos", "Cabrera", "Fuentes", "Herrera", "Juárez",
          "Lemus", "Monterroso", "Navarro", "Ochoa", "Paz", "Quintanilla", "Rauda", "Solórzano", "Tobar", "Umaña",
          "Villalobos", "Zepeda", "Amaya", "Bonilla", "Canales", "Durán", "Espinoza", "Funes", "Galdámez", "Henríquez",
          "Interiano", "Jovel", "Landaverde", "Mancía", "Nolasco", "Osorio", "Palacios", "Quezada", "Recinos", "Sibrián",
          "Tejada", "Urrutia", "Valle", "Xicará", "Yanes", "Zúniga", "Alfaro", "Benítez", "Calderón", "Dubón",
          "Elvir", "Figueroa", "Girón", "Hidalgo", "Irías", "Jiménez", "Lara", "Madrid", "Núñez", "Oliva", "Padilla",
          "Rubio", "Serrano", "Turcios", "Vargas", "Arévalo", "Bustillo", "Cálix", "Euceda", "Fajardo", "Maldonado",
          "Murillo", "Pacheco", "Sorto", "Tábora", "Varela", "Baca", "Chavarría", "Obando", "Solís"]
COMMUNITY_KINDS = ["Colonia", "Barrio", "Cantón", "Caserío", "Reparto", "Aldea", "Comunidad", "Residencial"]
COMMUNITY_NAMES = ["Las Margaritas", "San Jacinto", "Zacamil", "El Matazano", "Los Santos", "La Campanera", "El Centro",
                   "Tutunichapa", "San Antonio", "La Esperanza", "El Progreso", "Santa Lucía", "Las Brisas", "El Carmen",
                   "Nueva Jerusalén", "La Cuchilla", "Villa Nueva", "El Milagro", "Los Pinos", "San José", "La Fortuna",
                   "Monte Verde", "La Primavera", "El Paraíso", "San Miguelito", "Los Almendros", "Las Flores",
                   "El Bosque", "Kennedy", "Buenos Aires"]

# Why a case ended, per exit status.
EXIT_REASONS = {"completed": ["plan_completed"], "dropped": ["lost_contact", "declined", "moved_away"],
                "transferred": ["other_program"], "closed": ["moved_away", "aged_out", "detained", "other"]}

# kind -> (head-count range, weights of the age bands under_12 .. age_25_plus, local hours)
HEADCOUNTS = {
    "elementary": ((18, 40), (0.85, 0.15, 0, 0, 0), (7, 8, 9, 10, 13, 14)),
    "middle": ((20, 42), (0.04, 0.74, 0.22, 0, 0), (7, 8, 9, 10, 13, 14)),
    "community_meeting": ((15, 120), (0.05, 0.1, 0.15, 0.2, 0.5), (9, 10, 14, 15, 16, 17, 18)),
    "school_visit": ((40, 320), (0.25, 0.4, 0.35, 0, 0), (7, 8, 9, 10, 13, 14)),
    "sports_cultural": ((30, 250), (0.15, 0.3, 0.3, 0.15, 0.1), (8, 9, 15, 16, 17)),
    "family_visit": ((2, 9), (0.2, 0.15, 0.15, 0.1, 0.4), (9, 10, 11, 14, 15, 16)),
    "security_council": ((6, 25), (0, 0, 0.05, 0.15, 0.8), (9, 10, 17, 18)),
    "other": ((10, 80), (0.1, 0.2, 0.2, 0.2, 0.3), (9, 10, 14, 15, 16)),
}
VENUE_OF = {"community_meeting": ("community_center", "community_center", "church", "other"),
            "sports_cultural": ("sports_field", "sports_field", "community_center"), "family_visit": ("other",),
            "security_council": ("community_center", "other"), "other": ("community_center", "church", "other")}
TOPICS = {"community_meeting": ["Seguridad en el barrio", "Prevención de la violencia", "Convivencia comunitaria",
                                "Alumbrado y espacios públicos", "Denuncia ciudadana"],
          "school_visit": ["Convivencia escolar", "Prevención del consumo de drogas", "Acoso escolar",
                           "Uso seguro de redes sociales", "Derechos y deberes"],
          "sports_cultural": ["Torneo de fútbol", "Festival cultural", "Noche de cine", "Carrera por la paz",
                              "Torneo de baloncesto"],
          "family_visit": ["Seguimiento familiar", "Orientación a madres y padres"],
          "security_council": ["Plan municipal de prevención", "Mapa de riesgos", "Seguimiento de acuerdos"],
          "other": ["Jornada de limpieza", "Feria de prevención", "Charla vocacional"]}
SCHOOL_KINDS = ["Centro Escolar", "Escuela Oficial Rural Mixta", "Instituto Nacional", "Complejo Educativo",
                "Escuela Urbana Mixta", "Centro de Educación Básica"]
SCHOOL_NAMES = ["República de Chile", "Francisco Morazán", "José Martí", "Gabriela Mistral", "Rubén Darío",
                "Alberto Masferrer", "Juan Santamaría", "Justo Rufino Barrios", "Miguel de Cervantes", "Simón Bolívar",
                "Lempira", "Benito Juárez", "Dr. Belisario Porras", "Prudencia Ayala", "Salarrué"]
CANCEL_REASONS = ["Lluvia fuerte", "Suspensión de clases", "Sin transporte de la unidad", "Situación de seguridad en la zona",
                  "El local no estaba disponible", "Convocatoria a otra actividad institucional"]
SESSION_NOTES = ["Se entregaron materiales del programa.", "Asistió la dirección del centro escolar.",
                 "Asistencia menor por la lluvia.", "Se acordó la próxima actividad con la directiva comunal.",
                 "Participaron madres y padres de familia.", "Hubo que cambiar de local a última hora."]


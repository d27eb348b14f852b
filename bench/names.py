"""Name lists for the benchmarks' data generators, most common first (the generators weight by rank).

A mix of the names a European retailer's customers carry: Portuguese, Spanish, English, French,
German, Italian and others. Last names are the single surnames below plus two-surname
combinations ("Costa Pereira"), as Iberian customers are registered.
"""

FIRST_NAMES = """
Maria Ana João José Francisco Manuel António Carlos Luís Pedro Paulo Miguel Rui Jorge Sofia
Beatriz Inês Mariana Joana Catarina Rita Marta Carla Sara Patrícia Daniela Cláudia Andreia Helena
Teresa Isabel Fernanda Luísa Margarida Filipa Raquel Susana Sandra Vanessa Diana Laura Leonor Alice
Matilde Carolina Lara Eva Clara Madalena Francisca Bárbara Alexandra Cristina Mónica Paula Sónia
Lúcia Rosa Fátima Graça Célia Elisa Tiago Diogo Ricardo Nuno Bruno Hugo André Sérgio Vítor Fernando
Gonçalo Rodrigo Martim Tomás Duarte Afonso Guilherme Gabriel Rafael Santiago Lucas Henrique Samuel
Simão Vasco Eduardo Alexandre Mário Filipe Fábio Marco Marcos Renato Sebastião Alberto Armando
Joaquim Júlio Domingos Álvaro Artur Gustavo Leonardo David Daniel Martin Juan Javier Alejandro
Pablo Sergio Alberto Raúl Adrián Álvaro Iván Rubén Óscar Jesús Ángel Enrique Ramón Vicente Ignacio
Lucía Paula Marina Elena Irene Alba Noelia Nerea Silvia Pilar Rocío Nuria Montserrat Dolores Mercedes
Carmen Josefa Antonia Concepción Rosario Encarnación Inmaculada Esther Yolanda Verónica Lorena Natalia
James John Robert Michael William Richard Thomas Charles Christopher Matthew Anthony Mark Donald
Steven Andrew Kenneth Joshua Kevin Brian George Timothy Ronald Edward Jason Jeffrey Ryan Jacob
Nicholas Gary Eric Jonathan Stephen Larry Justin Scott Brandon Benjamin Frank Gregory Raymond
Patrick Jack Dennis Jerry Tyler Aaron Nathan Henry Peter Adam Zachary Douglas Harold Oliver Harry
Charlie Oscar Archie Freddie Alfie Theo Leo Arthur Noah Mary Patricia Jennifer Linda Elizabeth Barbara
Susan Jessica Sarah Karen Nancy Lisa Betty Margaret Ashley Kimberly Emily Donna Michelle Dorothy
Carol Amanda Melissa Deborah Stephanie Rebecca Sharon Cynthia Kathleen Amy Angela Shirley Anna
Brenda Pamela Emma Nicole Samantha Katherine Christine Rachel Catherine Olivia Amelia Isla Ava Mia
Grace Freya Lily Ella Poppy Jean Pierre Michel Philippe Alain Nicolas Christophe Frédéric Laurent
Julien Stéphane Sébastien Olivier Thierry Mathieu Antoine Guillaume Hélène Nathalie Isabelle
Sylvie Catherine Françoise Valérie Sandrine Véronique Céline Chantal Camille Chloé Manon Léa Inès
Hans Klaus Jürgen Stefan Wolfgang Andreas Michael Uwe Dieter Günter Lukas Jonas Felix Maximilian
Leon Paul Finn Ursula Monika Petra Sabine Renate Birgit Jutta Sabrina Katrin Lena Hannah Lea
Giuseppe Giovanni Antonio Mario Luigi Francesco Angelo Vincenzo Salvatore Alessandro Andrea Matteo
Lorenzo Giulia Francesca Chiara Federica Valentina Alessia Martina Giorgia Elisa Silvia Jan Piotr
Krzysztof Tomasz Anna Agnieszka Katarzyna Małgorzata Ewa Ivan Dmitri Sergei Olga Tatiana Natasha
Ahmed Mohamed Ali Omar Youssef Fatima Aisha Amina Leila Yasmin Wei Li Chen Hiroshi Yuki Kenji Priya
Arjun Rahul Anjali Deepak Kwame Amara Chidi Ngozi Thabo Zanele Lars Erik Nils Ingrid Astrid Sigrid
Björn Sven Freja Saoirse Niamh Siobhan Aoife Ciarán Seán Eoin Declan
"""

LAST_NAMES = """
Silva Santos Ferreira Pereira Oliveira Costa Rodrigues Martins Jesus Sousa Fernandes Gonçalves Gomes
Lopes Marques Alves Almeida Ribeiro Pinto Carvalho Teixeira Moreira Correia Mendes Nunes Soares Vieira
Monteiro Cardoso Rocha Raposo Neves Coelho Cruz Cunha Pires Ramos Reis Simões Antunes Matos Fonseca
Machado Araújo Barbosa Tavares Lourenço Castro Figueiredo Azevedo Freitas Batista Henriques Faria
Moura Magalhães Leite Brito Guerreiro Valente Baptista Domingues Loureiro Pinheiro Esteves Campos
Miranda Sá Vaz Amaral Garcia Barros Morais Sequeira Paiva Nogueira Abreu Torres Dias Borges Melo
Afonso Quintas Rebelo Cabral Pacheco Andrade Sampaio Branco Seixas Louro Barreto Calado Medeiros
Carneiro Bastos Duarte Gaspar Leal Brandão Frade Lima Peixoto Vasconcelos Amorim Rosa Serrano Salgado
Guerra Fontes Couto Bento Pimentel Morgado Franco Vicente Marinho Pestana Macedo Portela Aguiar
González Rodríguez Fernández López Martínez Sánchez Pérez Gómez Martín Jiménez Ruiz Hernández Díaz
Moreno Muñoz Álvarez Romero Alonso Gutiérrez Navarro Domínguez Vázquez Ramírez Gil Serrano Blanco
Molina Morales Suárez Ortega Delgado Castro Ortiz Rubio Marín Sanz Iglesias Núñez Medina Garrido
Cortés Castillo Santana Lozano Guerrero Cano Prieto Méndez Calvo Cruz Gallego Vidal León Márquez
Herrera Peña Flores Cabrera Campos Vega Fuentes Carrasco Diez Caballero Reyes Nieto Aguilar Pascual
Santiago Herrero Montero Lorenzo Hidalgo Giménez Ibáñez Ferrer Durán Santos Benítez Mora Vicente
Arias Carmona Crespo Román Pastor Soto Sáez Velasco Moya Soler Parra Esteban Bravo Gallardo Rojas
Smith Jones Williams Taylor Brown Davies Evans Wilson Thomas Johnson Roberts Robinson Thompson Wright
Walker White Edwards Hughes Green Hall Lewis Harris Clarke Patel Jackson Wood Turner Martin Cooper
Hill Ward Morris Moore Clark Lee King Baker Harrison Morgan Allen James Scott Phillips Watson Davis
Parker Price Bennett Young Griffiths Mitchell Kelly Cook Carter Richardson Bailey Collins Bell
Shaw Murphy Miller Cox Richards Khan Marshall Anderson Simpson Ellis Adams Singh Begum Wilkinson
Foster Chapman Powell Webb Rogers Gray Mason Ali Hunt Hussain Campbell Matthews Owen Palmer Holmes
Mills Barnes Knight Lloyd Butler Russell Barker Fisher Stevens Jenkins Murray Dixon Harvey Graham
Pearson Ahmed Fletcher Walsh Kaur Gibson Howard Andrews Stewart Elliott Reynolds Saunders Payne
Fox Ford Pearce Day Brooks West Lawrence Cole Atkinson Bradley Spencer Gill Dawson Ball Burton
O'Brien Watts Rose Booth Perry Ryan Grant Wells Armstrong Francis Rees Hayes Hart Hudson Newman
Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy Moreau Simon Laurent Lefebvre Michel
Garcia David Bertrand Roux Vincent Fournier Morel Girard André Lefèvre Mercier Dupont Lambert Bonnet
François Martinez Legrand Garnier Faure Rousseau Blanc Guerin Muller Henry Roussel Nicolas Perrin
Morin Mathieu Clement Gauthier Dumont Lopez Fontaine Chevalier Robin Masson Sanchez Gerard Nguyen
Boyer Denis Lemaire Duval Joly Gautier Roger Roche Roy Noel Meyer Lucas Meunier Jean Perez Marchand
Dufour Blanchard Marie Barbier Brun Dumas Brunet Schmitt Leroux Colin Fernandez Pierre Renard Arnaud
Rolland Caron Aubert Giraud Leclerc Vidal Bourgeois Renaud Lemoine Picard Gaillard Philippe Leclercq
Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Schäfer Koch Bauer Richter
Klein Wolf Schröder Neumann Schwarz Zimmermann Braun Krüger Hofmann Hartmann Lange Schmitt Werner
Schmitz Krause Meier Lehmann Schmid Schulze Maier Köhler Herrmann König Walter Mayer Huber Kaiser
Fuchs Peters Lang Scholz Möller Weiß Jung Hahn Schubert Vogel Friedrich Keller Günther Frank Berger
Winkler Roth Beck Lorenz Baumann Franke Albrecht Schuster Simon Ludwig Böhm Winter Kraus Martin
Rossi Russo Ferrari Esposito Bianchi Romano Colombo Ricci Marino Greco Bruno Gallo Conti De Luca
Mancini Costa Giordano Rizzo Lombardi Moretti Barbieri Fontana Santoro Mariani Rinaldi Caruso Ferrara
Galli Martini Leone Longo Gentile Martinelli Vitale Lombardo Serra Coppola De Santis D'Angelo
Marchetti Parisi Villa Conte Ferraro Ferri Fabbri Bianco Marini Grasso Valentini Messina Sala De Angelis
Gatti Pellegrini Palumbo Sanna Farina Rizzi Monti Cattaneo Morelli Amato Silvestri Mazza Testa Grassi
Nowak Kowalski Wiśniewski Wójcik Kowalczyk Kamiński Lewandowski Zieliński Szymański Woźniak
Dąbrowski Kozłowski Jankowski Mazur Kwiatkowski Krawczyk Piotrowski Grabowski Nowakowski Pawłowski
Ivanov Smirnov Kuznetsov Popov Vasiliev Petrov Sokolov Mikhailov Novikov Fedorov Morozov Volkov
Jensen Nielsen Hansen Pedersen Andersen Christensen Larsen Sørensen Rasmussen Johansson Andersson
Karlsson Nilsson Eriksson Larsson Olsson Persson Svensson Gustafsson Pettersson Jonsson Lindberg
Lindqvist Berg Bergström Lundqvist Virtanen Korhonen Mäkinen Nieminen Mäkelä Hämäläinen Laine
De Jong Jansen De Vries Van den Berg Van Dijk Bakker Janssen Visser Smit Meijer De Boer Mulder
De Groot Bos Vos Peters Hendriks Van Leeuwen Dekker Brouwer De Wit Dijkstra Smits De Graaf
Murphy Kelly O'Sullivan Walsh O'Connor McCarthy Byrne Ryan O'Neill O'Reilly Doyle McGrath Lynch
Murray Quinn Moore McLoughlin Carroll Connolly Daly Connell Wilson Dunne Brennan Burke Collins
Papadopoulos Georgiou Nikolaou Dimitriou Ioannou Yilmaz Kaya Demir Şahin Çelik Yıldız Yıldırım
Öztürk Aydın Özdemir Arslan Doğan Kılıç Aslan Wang Zhang Liu Chen Yang Huang Zhao Wu Zhou Xu Sun
Tanaka Suzuki Takahashi Watanabe Ito Yamamoto Nakamura Kobayashi Kato Sharma Gupta Kumar Verma Rao
Reddy Nair Iyer Mehta Shah Joshi Desai Okafor Okonkwo Adeyemi Mensah Boateng Diallo Traoré Ndiaye
Haddad Khoury Nasser Hamdan Mansour Saleh Rahman Hossain Chowdhury Nguyen Tran Le Pham Hoang Phan
"""


def _words(text: str) -> list[str]:
    """The list in order, without repeats (a name common in two countries is listed once)."""
    seen = {}
    for line in text.strip().splitlines():
        for word in line.split():
            seen.setdefault(word, None)
    return list(seen)


def _surnames(text: str) -> list[str]:
    # Multi-word surnames ("De Jong", "Van den Berg") are written with their particles in the list.
    particles = {"De", "Van", "den", "der"}
    names, pending = [], []
    for line in text.strip().splitlines():
        for word in line.split():
            pending.append(word)
            if word not in particles:
                names.append(" ".join(pending))
                pending = []
    return list(dict.fromkeys(names))


def last_names(total: int = 3000) -> list[str]:
    """`total` distinct last names: the single surnames first, then Iberian two-surname combinations."""
    singles = _surnames(LAST_NAMES)
    iberian = singles[: singles.index("Rojas") + 1]
    names = list(singles)
    seen = set(names)
    # Pair the most common Iberian surnames first, so combinations inherit a realistic skew.
    for span in range(1, len(iberian)):
        for first_index in range(len(iberian) - span):
            name = f"{iberian[first_index]} {iberian[first_index + span]}"
            if name not in seen:
                seen.add(name)
                names.append(name)
            if len(names) >= total:
                return names
    return names


def first_names() -> list[str]:
    return _words(FIRST_NAMES)
